"""Export everything Webcare holds about one contact as JSON (audited)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from inbox.models import Contact
from inbox.services.privacy import contact_export


class Command(BaseCommand):
    help = "Export a contact's data as JSON. Personal data in texts is masked unless --unmasked."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("contact_id", type=int)
        parser.add_argument("--unmasked", action="store_true", help="Keep phone numbers, e-mails, IBANs in the texts.")
        parser.add_argument("--output", type=Path, help="Write to this file (mode 600) instead of standard output.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not Contact.objects.filter(pk=options["contact_id"]).exists():
            raise CommandError(f"No contact {options['contact_id']}.")
        data = contact_export(actor=None, contact_id=options["contact_id"], masked=not options["unmasked"])
        text = json.dumps(data, ensure_ascii=False, indent=2)
        if options["output"]:
            path: Path = options["output"]
            path.touch(mode=0o600, exist_ok=False)
            path.write_text(text, encoding="utf-8")
            self.stderr.write(f"Written to {path}.")
        else:
            self.stdout.write(text)
