"""Linking a person's contacts across platforms, so the ladder counts them as one."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from inbox.conduct.selectors import contact_get_for_lead
from inbox.exceptions import Invalid
from inbox.models import Contact, Event, EventAction, Person, User


def contacts_link(*, user: User, contact_id: int, other_contact_id: int) -> Person:
    """Mark two contacts (each visible to the lead) as the same person; linking two groups merges them."""
    if contact_id == other_contact_id:
        raise Invalid(_("Choose another contact to link."), code="same_contact")
    contact_get_for_lead(user=user, contact_id=contact_id)
    contact_get_for_lead(user=user, contact_id=other_contact_id)
    with transaction.atomic():
        first, second = sorted(
            Contact.objects.select_for_update().filter(pk__in=[contact_id, other_contact_id]), key=lambda c: c.pk
        )
        if first.erased_at or second.erased_at:
            raise Invalid(_("An erased contact cannot be linked."), code="erased")
        if first.person_id and first.person_id == second.person_id:
            return first.person  # type: ignore[return-value]
        person_id = first.person_id or second.person_id or Person.objects.create().pk
        absorbed = {p for p in (first.person_id, second.person_id) if p and p != person_id}
        Contact.objects.filter(pk__in=[first.pk, second.pk]).update(person_id=person_id)
        if absorbed:
            Contact.objects.filter(person_id__in=absorbed).update(person_id=person_id)
            Person.objects.filter(pk__in=absorbed).delete()
        for contact, other in ((first, second), (second, first)):
            Event.objects.create(
                actor=user, action=EventAction.CONTACTS_LINKED, contact_id=contact.pk,
                data={"person": person_id, "with": other.pk, **({"merged": sorted(absorbed)} if absorbed else {})},
            )
    return Person.objects.get(pk=person_id)


def contact_unlink(*, user: User, contact_id: int) -> None:
    """Take a contact out of its person; a person left with one contact is dissolved."""
    contact_get_for_lead(user=user, contact_id=contact_id)
    with transaction.atomic():
        contact = Contact.objects.select_for_update().get(pk=contact_id)
        person_id = contact.person_id
        if person_id is None:
            return
        Contact.objects.filter(pk=contact.pk).update(person=None)
        Event.objects.create(
            actor=user, action=EventAction.CONTACT_UNLINKED, contact_id=contact.pk, data={"person": person_id}
        )
        left = list(Contact.objects.filter(person_id=person_id).values_list("pk", flat=True))
        if len(left) <= 1:
            Contact.objects.filter(person_id=person_id).update(person=None)
            Person.objects.filter(pk=person_id).delete()
