"""Erase one contact's personal data; their mentions stay, anonymised (audited)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from inbox.exceptions import DomainError
from inbox.models import Contact
from inbox.services.privacy import contact_erase


class Command(BaseCommand):
    help = "Erase a contact's names, platform ids, texts and links for good. Mentions stay, anonymised."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("contact_id", type=int)
        parser.add_argument("--reference", default="", help="Request or ticket number for the audit log (no names).")
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation.")

    def handle(self, *args: Any, **options: Any) -> None:
        contact = Contact.objects.filter(pk=options["contact_id"]).first()
        if contact is None:
            raise CommandError(f"No contact {options['contact_id']}.")
        if not options["yes"]:
            answer = input(f"Erase contact {contact.pk} ({contact.get_platform_display()}) for good? Type 'erase': ")
            if answer.strip() != "erase":
                raise CommandError("Nothing erased.")
        try:
            report = contact_erase(actor=None, contact_id=contact.pk, reference=options["reference"])
        except DomainError as error:
            raise CommandError(error.message) from None
        if report.already_erased:
            self.stdout.write(f"Contact {contact.pk} was already erased.")
            return
        self.stdout.write(
            f"Erased contact {report.contact_id}: {report.mentions} mentions kept anonymised, "
            f"{report.messages} messages, {report.deliveries} deliveries, {report.posts} posts cleared, "
            f"{report.elsewhere} other texts redacted."
        )
