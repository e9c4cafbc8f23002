"""What keeps an agent's screen current without reloading: cheap change checks and presence.

The browser polls every few seconds with the fingerprint of what it shows; the
server recomputes it from a handful of index reads and answers 204 when nothing
changed. Only a changed fingerprint costs a render.

Presence lives in the cache (Redis in production, the file cache embedded): one
small dict per open mention, refreshed by every poll. Two agents writing it at
the same instant can drop one of them for one poll interval; the next poll puts
them back, which is why no lock is taken.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache

from inbox.models import User

POLL_SECONDS = 3
#: A viewer who has not polled for this long has left (closed the tab, lost the network).
PRESENCE_SECONDS = 4 * POLL_SECONDS
_PRESENCE_KEY = "webcare:presence:mention:{}"


def fingerprint(parts: Iterable[Any]) -> str:
    """A short digest of what a screen shows; equal digests mean nothing to redraw."""
    digest = hashlib.blake2s(digest_size=8)
    for part in parts:
        digest.update(repr(part).encode())
        digest.update(b"\x1f")
    return digest.hexdigest()


@dataclass(frozen=True)
class Viewer:
    user_id: int
    name: str


def presence_touch(*, mention_id: int, user: User) -> list[Viewer]:
    """Record that ``user`` has the mention open now; return the others who have it open."""
    key = _PRESENCE_KEY.format(mention_id)
    now = time.time()
    seen: dict[str, list[Any]] = cache.get(key) or {}
    seen = {uid: entry for uid, entry in seen.items() if now - entry[1] < PRESENCE_SECONDS}
    seen[str(user.pk)] = [str(user), now]
    cache.set(key, seen, timeout=PRESENCE_SECONDS * 2)
    return sorted(
        (Viewer(int(uid), entry[0]) for uid, entry in seen.items() if int(uid) != user.pk), key=lambda v: v.name
    )


def presence_leave(*, mention_id: int, user: User) -> None:
    key = _PRESENCE_KEY.format(mention_id)
    seen: dict[str, list[Any]] = cache.get(key) or {}
    if seen.pop(str(user.pk), None) is not None:
        cache.set(key, seen, timeout=PRESENCE_SECONDS * 2)
