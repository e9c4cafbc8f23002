"""Encryption at rest for channel credentials (Fernet, with key rotation).

WEBCARE_CREDENTIALS_KEYS holds one or more Fernet keys, newest first. New values
are encrypted with the first key; any key in the list decrypts, so a key can be
rotated in with `manage.py rotate_credentials_key` without downtime.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class CredentialsUnreadable(Exception):
    """The stored ciphertext does not decrypt with any configured key."""


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("WEBCARE_CREDENTIALS_KEYS is empty.")
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except ValueError:
        raise ImproperlyConfigured(
            "WEBCARE_CREDENTIALS_KEYS must hold Fernet keys (32 url-safe base64-encoded bytes); "
            'make one with: python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"'
        ) from None


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.WEBCARE_CREDENTIALS_KEYS))


def encrypt_json(value: dict[str, Any]) -> str:
    return fernet().encrypt(json.dumps(value, sort_keys=True).encode()).decode()


def decrypt_json(token: str) -> dict[str, Any]:
    if not token:
        return {}
    try:
        return json.loads(fernet().decrypt(token.encode()))
    except InvalidToken:
        raise CredentialsUnreadable("Channel credentials do not decrypt with any configured key.") from None


def rotate(token: str) -> str:
    return fernet().rotate(token.encode()).decode() if token else token
