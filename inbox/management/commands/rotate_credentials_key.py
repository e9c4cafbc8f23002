from django.core.management.base import BaseCommand
from django.db import transaction

from inbox import crypto
from inbox.models import SocialAccount


class Command(BaseCommand):
    help = (
        "Re-encrypt every stored channel credential with the first key in WEBCARE_CREDENTIALS_KEYS. "
        "Put the new key first, keep the old one after it, run this, then drop the old key."
    )

    def handle(self, *args: object, **options: object) -> None:
        count = 0
        with transaction.atomic():
            for account in SocialAccount.objects.select_for_update().exclude(credentials_ciphertext=""):
                account.credentials_ciphertext = crypto.rotate(account.credentials_ciphertext)
                account.save(update_fields=["credentials_ciphertext"])
                count += 1
        self.stdout.write(self.style.SUCCESS(f"Re-encrypted the credentials of {count} account(s)."))
