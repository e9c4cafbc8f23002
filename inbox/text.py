"""Making platform text safe to store. Customer text is hostile input."""

from __future__ import annotations

import json
import re
from typing import Any

#: A Facebook post is at most 63,206 characters and a tweet far less; anything
#: longer is kept up to this size and marked as cut, never rejected.
MAX_TEXT_CHARS = 200_000
MAX_RAW_BYTES = 512 * 1024
TRUNCATION_MARK = "…"
# A surrogate code point in a str is always unpaired (json.loads joins valid pairs).
_SURROGATE = re.compile("[\ud800-\udfff]")


def clean_text(value: str | None, limit: int = MAX_TEXT_CHARS) -> str:
    """NUL bytes (PostgreSQL refuses them) and lone surrogates (not UTF-8) become U+FFFD."""
    if not value:
        return ""
    if "\x00" in value:
        value = value.replace("\x00", "\ufffd")
    if not value.isascii():  # only non-ASCII text can hold a surrogate
        value = _SURROGATE.sub("\ufffd", value)
    if len(value) > limit:
        value = value[: limit - len(TRUNCATION_MARK)] + TRUNCATION_MARK
    return value


def clean_line(value: str | None, limit: int) -> str:
    """For names and handles: one line, bounded."""
    return " ".join(clean_text(value, limit * 2).split())[:limit]


def clean_url(value: str | None, limit: int = 500) -> str:
    """Only absolute http(s) links are kept; anything else (javascript:, data:) is dropped."""
    value = clean_line(value, limit + 1)
    if len(value) > limit or not value.lower().startswith(("https://", "http://")):
        return ""
    return value


def _clean_json_value(value: Any) -> Any:
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {clean_text(str(key), 200): _clean_json_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_clean_json_value(item) for item in value]
    if value is None or isinstance(value, bool | int | float):
        return value
    return clean_text(str(value))


def clean_raw(value: Any) -> dict[str, Any]:
    """A platform payload made storable as JSON (PostgreSQL jsonb refuses \\u0000), size-capped."""
    cleaned = _clean_json_value(value if isinstance(value, dict) else {"value": value})
    size = len(json.dumps(cleaned, ensure_ascii=False).encode())
    if size > MAX_RAW_BYTES:
        return {"_truncated": True, "_bytes": size}
    return cleaned
