"""What the platforms allow: text limits, messaging windows, who can be answered how."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from inbox.models import Platform, Visibility

#: X counts most Latin, Greek and Cyrillic characters (and some punctuation) as 1
#: and everything else as 2, a URL as 23 (twitter-text v3). We count every code
#: point outside these ranges as 2, emoji sequences included, which can only
#: over-count, so a reply we accept is never refused for its length.
_X_LIGHT_RANGES = ((0, 4351), (8192, 8205), (8208, 8223), (8242, 8247))
_X_URL = re.compile(r"https?://\S+", re.IGNORECASE)
X_URL_LENGTH = 23


def x_weighted_length(text: str) -> int:
    text = unicodedata.normalize("NFC", text)
    length = 0
    position = 0
    for match in _X_URL.finditer(text):
        length += _x_plain_length(text[position : match.start()]) + X_URL_LENGTH
        position = match.end()
    return length + _x_plain_length(text[position:])


def _x_plain_length(text: str) -> int:
    return sum(1 if any(lo <= ord(char) <= hi for lo, hi in _X_LIGHT_RANGES) else 2 for char in text)


@dataclass(frozen=True, slots=True)
class TextLimit:
    limit: int
    weighted: bool = False

    def length(self, text: str) -> int:
        return x_weighted_length(text) if self.weighted else len(text)


def text_limit(platform: str, visibility: str) -> TextLimit:
    if platform == Platform.X:
        return TextLimit(280, weighted=True) if visibility == Visibility.PUBLIC else TextLimit(10_000)
    return TextLimit(8_000) if visibility == Visibility.PUBLIC else TextLimit(2_000)


MESSENGER_STANDARD_WINDOW = dt.timedelta(hours=24)
MESSENGER_HUMAN_AGENT_WINDOW = dt.timedelta(days=7)
FACEBOOK_PRIVATE_REPLY_WINDOW = dt.timedelta(days=7)


def messenger_mode(last_customer_message_at: dt.datetime | None, now: dt.datetime) -> dict[str, str] | None:
    """How a Messenger answer may be sent now, or None when the window has closed."""
    if last_customer_message_at is None:
        return None
    age = now - last_customer_message_at
    if age <= MESSENGER_STANDARD_WINDOW:
        return {"messaging_type": "RESPONSE"}
    if age <= MESSENGER_HUMAN_AGENT_WINDOW:
        return {"messaging_type": "MESSAGE_TAG", "tag": "HUMAN_AGENT"}
    return None


def render_signature(signature_format: str, *, initials: str, first_name: str, display_name: str) -> str:
    """Fill the brand's signature format. Only the named placeholders are replaced (no str.format)."""
    signature = signature_format
    for name, value in (("initials", initials), ("first_name", first_name), ("display_name", display_name)):
        signature = signature.replace("{" + name + "}", value)
    return signature.strip()


def sign(text: str, signature: str) -> str:
    text = text.strip()
    if not signature or text.endswith(signature):
        return text
    return f"{text} {signature}"
