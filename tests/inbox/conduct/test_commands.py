"""The export, erase and report commands."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from inbox.models import Contact, Event, EventAction

from .conftest import post

pytestmark = pytest.mark.django_db


@pytest.fixture
def contact(fb_account):
    post(fb_account, "Bel me op 0470 12 34 56", author_id="fb-42")
    return Contact.objects.get(external_id="fb-42")


def test_export_prints_masked_json_by_default(contact):
    out = StringIO()

    call_command("contact_export", str(contact.pk), stdout=out)

    data = json.loads(out.getvalue())
    assert data["mentions"][0]["messages"][0]["text"] == "Bel me op [phone]"
    assert Event.objects.get(action=EventAction.CONTACT_EXPORTED).actor is None


def test_export_writes_an_unmasked_file_readable_only_by_its_owner(contact, tmp_path):
    target = tmp_path / "export.json"

    call_command("contact_export", str(contact.pk), "--unmasked", "--output", str(target), stderr=StringIO())

    assert "0470 12 34 56" in target.read_text()
    assert target.stat().st_mode & 0o777 == 0o600


def test_erase_asks_unless_told_yes(contact, monkeypatch):
    monkeypatch.setattr("builtins.input", lambda prompt: "no")

    with pytest.raises(CommandError):
        call_command("contact_erase", str(contact.pk))
    assert Contact.objects.get(pk=contact.pk).erased_at is None


def test_erase_with_yes_erases_and_reports(contact):
    out = StringIO()

    call_command("contact_erase", str(contact.pk), "--yes", "--reference", "REQ-3", stdout=out)

    assert "1 mentions kept anonymised" in out.getvalue()
    assert Contact.objects.get(pk=contact.pk).erased_at is not None


def test_an_unknown_contact_is_a_clear_error(db):
    with pytest.raises(CommandError, match="No contact 999"):
        call_command("contact_erase", "999", "--yes")


def test_the_report_prints_precision_and_recall(db, tmp_path):
    corpus = tmp_path / "mine.jsonl"
    corpus.write_text(
        json.dumps({"id": "1", "lang": "en", "labels": ["insult"], "text": "you idiots"}) + "\n"
        + json.dumps({"id": "2", "lang": "en", "labels": [], "text": "killer deal"}) + "\n"
    )
    out = StringIO()

    call_command("abuse_report", str(corpus), stdout=out)

    assert "| insult | all | 1 | 1.00 | 1.00 |" in out.getvalue()
